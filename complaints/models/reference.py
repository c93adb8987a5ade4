"""Reference data: zones, agencies (district offices and departments), topic categories."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db


class Zone(db.Model):
    """A group of district offices (กลุ่มเขต)."""

    __tablename__ = "zones"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Agency(db.Model):
    """An agency that cases are about: a district office (code = DOPA geocode) or a department (slug)."""

    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # district | department
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    abbr_th: Mapped[str | None] = mapped_column(String(30))
    zone_code: Mapped[str | None] = mapped_column(ForeignKey("zones.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    zone: Mapped[Zone | None] = relationship()

    @property
    def display_th(self) -> str:
        return f"สำนักงานเขต{self.name_th}" if self.kind == "district" else self.name_th

    @property
    def short_th(self) -> str:
        return f"เขต{self.name_th}" if self.kind == "district" else (self.abbr_th or self.name_th)


class Category(db.Model):
    """A complaint topic."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
