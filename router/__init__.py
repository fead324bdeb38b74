"""EHB-5's Apollo Federation 2 router: supergraph model, composition, planning, execution."""
