"""cXML: OrderRequest, ConfirmationRequest, ShipNoticeRequest, InvoiceDetailRequest.

`readers` turns a cXML document into one canonical document; `writers` does the reverse.
The mapping of each request type is described in its reader module.
"""

from translators.cxml.common import CxmlError
from translators.cxml.readers import read_cxml, read_root

__all__ = ["CxmlError", "read_cxml", "read_root"]
