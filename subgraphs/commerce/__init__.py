"""commerce: sellers, products, orders (owns `Seller`, `Product`, `Order`; extends `User`)."""
