"""commerce initial: sellers, products, orders and order lines.

Revision ID: b52f0c8e6a17
Revises:
Create Date: 2026-11-28 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "b52f0c8e6a17"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("commerce",)
depends_on: str | Sequence[str] | None = None

ORDER_STATUSES = ("PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")


def upgrade() -> None:
    op.create_table(
        "commerce_sellers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        # subgraphs.kernel.db.UTCDateTime stores this column as UTC.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_sellers")),
        sa.UniqueConstraint("user_id", name=op.f("uq_commerce_sellers_user_id")),
    )
    op.create_table(
        "commerce_products",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seller_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("price_currency", sa.String(length=3), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price_amount > 0", name=op.f("ck_commerce_products_price_positive")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_commerce_products_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["commerce_sellers.id"],
            name=op.f("fk_commerce_products_seller_id_commerce_sellers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_products")),
    )
    op.create_index(
        "ix_commerce_products_created_at_id",
        "commerce_products",
        ["created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_commerce_products_seller_id_created_at_id",
        "commerce_products",
        ["seller_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "commerce_orders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("buyer_id", sa.String(length=36), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *ORDER_STATUSES,
                name="status",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total_amount > 0", name=op.f("ck_commerce_orders_total_positive")),
        sa.CheckConstraint(
            "status IN ('PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED')",
            name=op.f("ck_commerce_orders_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_orders")),
    )
    op.create_index(
        "ix_commerce_orders_buyer_id_created_at_id",
        "commerce_orders",
        ["buyer_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "commerce_order_lines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal_amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_commerce_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce_orders.id"],
            name=op.f("fk_commerce_order_lines_order_id_commerce_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["commerce_products.id"],
            name=op.f("fk_commerce_order_lines_product_id_commerce_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_order_lines")),
        sa.UniqueConstraint(
            "order_id", "position", name="uq_commerce_order_lines_order_id_position"
        ),
    )


def downgrade() -> None:
    op.drop_table("commerce_order_lines")
    op.drop_index("ix_commerce_orders_buyer_id_created_at_id", table_name="commerce_orders")
    op.drop_table("commerce_orders")
    op.drop_index("ix_commerce_products_seller_id_created_at_id", table_name="commerce_products")
    op.drop_index("ix_commerce_products_created_at_id", table_name="commerce_products")
    op.drop_table("commerce_products")
    op.drop_table("commerce_sellers")
