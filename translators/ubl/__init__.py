"""UBL 2.x: Order, OrderResponseSimple, DespatchAdvice and Invoice, read (2.0 and 2.1) and
written (2.1). `readers` maps each to a canonical document; `writers` does the reverse."""

from translators.ubl.common import UblError, is_ubl
from translators.ubl.readers import read_ubl_root

__all__ = ["UblError", "is_ubl", "read_ubl_root"]
