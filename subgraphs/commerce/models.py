"""commerce's tables (prefix `commerce_`).

Prices are integer minor units plus an ISO 4217 code. An order captures each line's unit price
at order time, so later price changes never rewrite history.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kernel.db import UTCDateTime, new_id, new_metadata, utcnow
from subgraphs.kernel.outbox import outbox_model


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime}


Outbox = outbox_model(Base, "commerce")  # commerce_outbox: docs/events.md


class OrderStatus(enum.Enum):
    PENDING = "PENDING"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class Seller(Base):
    __tablename__ = "commerce_sellers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # identity's User id (one seller per user); no foreign key across subgraphs.
    user_id: Mapped[str] = mapped_column(String(36), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(Base):
    __tablename__ = "commerce_products"
    __table_args__ = (
        CheckConstraint("price_amount > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        Index("ix_commerce_products_created_at_id", "created_at", "id"),
        Index("ix_commerce_products_seller_id_created_at_id", "seller_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    seller_id: Mapped[str] = mapped_column(String(36), ForeignKey("commerce_sellers.id"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(2000))
    price_amount: Mapped[int] = mapped_column(BigInteger)
    price_currency: Mapped[str] = mapped_column(String(3))
    stock: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(Base):
    __tablename__ = "commerce_orders"
    __table_args__ = (
        CheckConstraint("total_amount > 0", name="total_positive"),
        Index("ix_commerce_orders_buyer_id_created_at_id", "buyer_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # identity's User id; no foreign key across subgraphs.
    buyer_id: Mapped[str] = mapped_column(String(36))
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[OrderStatus] = mapped_column(
        Enum(OrderStatus, native_enum=False, length=16, create_constraint=True, name="status"),
        default=OrderStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderLine(Base):
    __tablename__ = "commerce_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "position", name="uq_commerce_order_lines_order_id_position"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(String(36), ForeignKey("commerce_orders.id"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(36), ForeignKey("commerce_products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    # Captured at order time, in the order's currency.
    unit_price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_amount: Mapped[int] = mapped_column(BigInteger)
