"""X12 data element dictionary (004010 and 005010) for the segments in ``segments.py``.

One shared table holds type and length per element number; ``ELEMENTS_005010`` overrides the few
elements whose length changed in 005010 and adds the elements 005010 introduced. DT 373 is 8/8
(CCYYMMDD) in both versions; ``N2`` elements (TDS01, SAC05, CSH03, ...) carry two implied decimals.

Code lists live here too, keyed by element number, but a segment only restricts the positions the
gateway relies on (see ``segments.py``). A list is either the element's COMPLETE list in that
version or ``None`` (any value of the right type and length): a partial list would reject valid
files. Where a 005010 list could not be confirmed from a public reference it is ``None``.

Sources (facts only, no code copied):
- denis-peshkov/EdiEngine (MIT), EdiStandards/X12_004010/DataElements/DataElements.cs: types,
  lengths and the 004010 code lists of 248, 353, 587, 668, 715, 717, 718, 720, 723 and 735.
- pyx12 4.0.0 (BSD), pyx12/map/dataele.xml (005010 dictionary, HIPAA-oriented): types, lengths
  and names of the remaining elements and the 005010 lengths of 127, 358, 364, 447, 1705, 1715.
- ASC X12 element pages: https://ws2.segment.co.il/Public/EDI-Segment/x12-4040/EDI_4010/el353.htm
  and https://edihere.com/asc-x12-353-transaction-set-purpose-code/ (353, 004010, 65 codes);
  https://internal.dcsnewyork.com/tech/edi/x12/EDI_4010/el718.htm (718, 004010);
  https://www.kasoftware.com/schema/edi/x12/00403/segments/BAK/ and
  https://www.stedi.com/edi/x12/segment/BAK (587 has 15 codes from 004030 to the current release);
  https://www.stedi.com/edi/x12/segment/SAC (248 has 7 codes in the current release);
  https://zenbridge.io/edi-dictionary/X12/5010/segment/IK5 (717, 005010);
  https://www.stedi.com/edi/x12-005010/element/620 (620, 005010);
  https://www.stedi.com/edi/x12-005040/element/621 and
  https://secure.edidev.net/edidev-ca/help/Appendix/EDI/AscX12/DataElements/DataElement_621.htm
  (621); https://secure.edidev.net/edidev-ca/help/Appendix/EDI/AscX12/DataElements/DataElement_723.htm
  and http://help.truecommerce.com/en/articles/10697989-x12-ak4-data-element-note (723 with the
  repetition codes 12 and 13); http://help.truecommerce.com/en/articles/10697979-x12-ak3-data-segment-note
  (720, AK302 1/10); https://www.kasoftware.com/schema/edi/x12/00501/segments/IK3/ (719 N0 1/10).
"""

from __future__ import annotations

from translators.x12.spec.model import ElementDef

__all__ = ["CODES_004010", "CODES_005010", "ELEMENTS_004010", "ELEMENTS_005010"]

# (number, type, min length, max length, name) as of 004010.
_TABLE: tuple[tuple[str, str, int, int, str], ...] = (
    ("2", "N0", 1, 6, "Number of Accepted Transaction Sets"),
    ("3", "AN", 1, 60, "Free Form Message"),
    ("19", "AN", 2, 30, "City Name"),
    ("22", "AN", 1, 30, "Commodity Code"),
    ("23", "ID", 1, 1, "Commodity Code Qualifier"),
    ("24", "AN", 4, 4, "Equipment Type"),
    ("26", "ID", 2, 3, "Country Code"),
    ("28", "N0", 1, 9, "Group Control Number"),
    ("40", "ID", 2, 2, "Equipment Description Code"),
    ("46", "AN", 4, 4, "Ex Parte"),
    ("54", "ID", 2, 2, "Risk of Loss Code"),
    ("55", "AN", 2, 10, "Flight/Voyage Number"),
    ("59", "AN", 2, 5, "Freight Class Code"),
    ("61", "AN", 1, 30, "Free-form Information"),
    ("65", "R", 1, 8, "Height"),
    ("66", "ID", 1, 2, "Identification Code Qualifier"),
    ("67", "AN", 2, 80, "Identification Code"),
    ("76", "AN", 1, 22, "Invoice Number"),
    ("79", "AN", 1, 50, "Lading Description"),
    ("80", "N0", 1, 7, "Lading Quantity"),
    ("81", "R", 1, 10, "Weight"),
    ("82", "R", 1, 8, "Length"),
    ("87", "AN", 1, 48, "Marks and Numbers"),
    ("88", "ID", 1, 2, "Marks and Numbers Qualifier"),
    ("91", "ID", 1, 2, "Transportation Method/Type Code"),
    ("92", "ID", 2, 2, "Purchase Order Type Code"),
    ("93", "AN", 1, 60, "Name"),
    ("96", "N0", 1, 10, "Number of Included Segments"),
    ("97", "N0", 1, 6, "Number of Transaction Sets Included"),
    ("98", "ID", 2, 3, "Entity Identifier Code"),
    ("100", "ID", 3, 3, "Currency Code"),
    ("102", "ID", 1, 1, "Ownership Code"),
    ("103", "AN", 3, 5, "Packaging Code"),
    ("107", "ID", 1, 2, "Payment Method Type Code"),
    ("113", "AN", 1, 4, "Pier Number"),
    ("114", "AN", 2, 24, "Port Name"),
    ("115", "ID", 1, 1, "Port or Terminal Function Code"),
    ("116", "ID", 3, 15, "Postal Code"),
    ("118", "R", 1, 9, "Rate"),
    ("119", "AN", 1, 6, "Rate Basis Number"),
    ("123", "N0", 1, 6, "Number of Received Transaction Sets"),
    ("127", "AN", 1, 30, "Reference Identification"),
    ("128", "ID", 2, 3, "Reference Identification Qualifier"),
    ("133", "ID", 1, 2, "Routing Sequence Code"),
    ("140", "ID", 2, 4, "Standard Carrier Alpha Code"),
    ("143", "ID", 3, 3, "Transaction Set Identifier Code"),
    ("146", "ID", 2, 2, "Shipment Method of Payment"),
    ("152", "ID", 2, 3, "Special Handling Code"),
    ("156", "ID", 2, 2, "State or Province Code"),
    ("166", "AN", 1, 55, "Address Information"),
    ("168", "ID", 1, 4, "Tariff Agency Code"),
    ("169", "AN", 1, 16, "Tariff Item Number"),
    ("170", "N0", 1, 2, "Tariff Item Part"),
    ("171", "AN", 1, 7, "Tariff Number"),
    ("172", "AN", 1, 2, "Tariff Section"),
    ("173", "AN", 1, 4, "Tariff Supplement Identifier"),
    ("174", "AN", 2, 30, "Terminal Name"),
    ("182", "AN", 2, 28, "Vessel Name"),
    ("183", "R", 1, 8, "Volume"),
    ("187", "ID", 1, 2, "Weight Qualifier"),
    ("189", "R", 1, 8, "Width"),
    ("200", "AN", 1, 6, "Hazardous Materials Page"),
    ("206", "AN", 1, 4, "Equipment Initial"),
    ("207", "AN", 1, 10, "Equipment Number"),
    ("208", "ID", 1, 1, "Hazardous Material Code Qualifier"),
    ("209", "AN", 1, 4, "Hazardous Material Class Code"),
    ("212", "R", 1, 17, "Unit Price"),
    ("213", "N0", 1, 3, "Lading Line Item Number"),
    ("215", "AN", 1, 30, "Hazardous Classification"),
    ("218", "AN", 14, 40, "Hazardous Placard Notation"),
    ("219", "AN", 1, 3, "Trailer Shipment Details Code"),
    ("222", "AN", 4, 25, "Hazardous Endorsement"),
    ("224", "AN", 1, 25, "Hazardous Material Shipping Name"),
    ("225", "AN", 2, 15, "Seal Number"),
    ("227", "AN", 1, 2, "Tariff Column"),
    ("230", "AN", 1, 3, "Subsidiary Classification"),
    ("234", "AN", 1, 48, "Product/Service ID"),
    ("235", "ID", 2, 2, "Product/Service ID Qualifier"),
    ("236", "ID", 3, 3, "Price Identifier Code"),
    ("238", "AN", 1, 12, "Emergency Response Plan Number"),
    ("248", "ID", 1, 1, "Allowance or Charge Indicator"),
    ("249", "ID", 1, 1, "Vessel Requirement Code"),
    ("254", "AN", 1, 3, "Packing Group Code"),
    ("267", "N0", 1, 6, "Net Explosive Quantity"),
    ("271", "ID", 1, 2, "Subsidiary Risk Indicator"),
    ("277", "AN", 6, 6, "UN/NA Identification Code"),
    ("280", "R", 4, 10, "Exchange Rate"),
    ("284", "ID", 2, 2, "Service Level Code"),
    ("289", "N0", 1, 2, "Multiple Price Quantity"),
    ("294", "N0", 1, 5, "Tariff Distance"),
    ("295", "ID", 1, 1, "Distance Qualifier"),
    ("306", "ID", 1, 2, "Action Code"),
    ("309", "ID", 1, 2, "Location Qualifier"),
    ("310", "AN", 1, 30, "Location Identifier"),
    ("324", "AN", 1, 22, "Purchase Order Number"),
    ("325", "AN", 1, 20, "Tax Identification Number"),
    ("326", "AN", 1, 45, "Request Reference Number"),
    ("327", "AN", 1, 8, "Change Order Sequence Number"),
    ("328", "AN", 1, 30, "Release Number"),
    ("329", "AN", 4, 9, "Transaction Set Control Number"),
    ("330", "R", 1, 15, "Quantity Ordered"),
    ("331", "ID", 2, 2, "Allowance or Charge Method of Handling Code"),
    ("332", "R", 1, 6, "Percent, Decimal Format"),
    ("333", "ID", 1, 2, "Terms Basis Date Code"),
    ("334", "ID", 2, 2, "Transportation Terms Qualifier Code"),
    ("335", "ID", 3, 3, "Transportation Terms Code"),
    ("336", "ID", 2, 2, "Terms Type Code"),
    ("337", "TM", 4, 8, "Time"),
    ("338", "R", 1, 6, "Terms Discount Percent"),
    ("342", "R", 1, 5, "Percent of Invoice Payable"),
    ("344", "ID", 2, 2, "Unit of Time Period or Interval"),
    ("345", "ID", 2, 2, "Lead Time Code"),
    ("347", "R", 1, 10, "Hash Total"),
    ("349", "ID", 1, 1, "Item Description Type"),
    ("350", "AN", 1, 20, "Assigned Identification"),
    ("351", "N0", 1, 3, "Terms Discount Days Due"),
    ("352", "AN", 1, 80, "Description"),
    ("353", "ID", 2, 2, "Transaction Set Purpose Code"),
    ("354", "N0", 1, 6, "Number of Line Items"),
    ("355", "ID", 2, 2, "Unit or Basis for Measurement Code"),
    ("356", "N0", 1, 6, "Pack"),
    ("357", "R", 1, 8, "Size"),
    ("358", "R", 1, 10, "Quantity Invoiced"),
    ("362", "N2", 1, 10, "Terms Discount Amount"),
    ("363", "ID", 3, 3, "Note Reference Code"),
    ("364", "AN", 1, 80, "Communication Number"),
    ("365", "ID", 2, 2, "Communication Number Qualifier"),
    ("366", "ID", 2, 2, "Contact Function Code"),
    ("367", "AN", 1, 30, "Contract Number"),
    ("368", "ID", 2, 2, "Shipment/Order Status Code"),
    ("369", "AN", 1, 45, "Free-form Description"),
    ("370", "DT", 8, 8, "Terms Discount Due Date"),
    ("371", "ID", 2, 2, "Change Reason Code"),
    ("373", "DT", 8, 8, "Date"),
    ("374", "ID", 3, 3, "Date/Time Qualifier"),
    ("378", "ID", 1, 1, "Allowance/Charge Percent Qualifier"),
    ("380", "R", 1, 15, "Quantity"),
    ("382", "R", 1, 10, "Number of Units Shipped"),
    ("383", "R", 1, 9, "Quantity Difference"),
    ("384", "R", 1, 9, "Gross Weight per Pack"),
    ("385", "R", 1, 9, "Gross Volume per Pack"),
    ("386", "N0", 1, 3, "Terms Net Days"),
    ("387", "AN", 1, 35, "Routing"),
    ("388", "DT", 8, 8, "Terms Deferred Due Date"),
    ("389", "N2", 1, 10, "Deferred Amount Due"),
    ("395", "R", 1, 8, "Unit Weight"),
    ("396", "AN", 2, 30, "Shipment Identification"),
    ("399", "ID", 1, 1, "Pallet Exchange Code"),
    ("400", "ID", 2, 2, "Unit Load Option Code"),
    ("407", "ID", 2, 2, "Seal Status Code"),
    ("408", "R", 1, 4, "Temperature"),
    ("441", "ID", 1, 1, "Tax Exempt Code"),
    ("443", "AN", 1, 20, "Contact Inquiry Reference"),
    ("446", "DT", 8, 8, "Terms Net Due Date"),
    ("447", "AN", 1, 6, "Loop Identifier Code"),
    ("478", "ID", 1, 1, "Credit/Debit Flag Code"),
    ("479", "ID", 2, 2, "Functional Identifier Code"),
    ("480", "AN", 1, 12, "Version / Release / Industry Identifier Code"),
    ("499", "AN", 1, 10, "Condition Value"),
    ("508", "AN", 1, 35, "Account Number"),
    ("522", "ID", 1, 3, "Amount Qualifier Code"),
    ("554", "N0", 1, 6, "Assigned Number"),
    ("559", "ID", 2, 2, "Agency Qualifier Code"),
    ("560", "ID", 2, 10, "Special Services Code"),
    ("563", "ID", 1, 2, "Sales Requirement Code"),
    ("566", "ID", 1, 2, "Product/Service Substitution Code"),
    ("587", "ID", 2, 2, "Acknowledgment Type"),
    ("595", "ID", 1, 1, "Compartment ID Code"),
    ("597", "AN", 1, 8, "Vessel Code"),
    ("610", "N2", 1, 15, "Amount"),
    ("622", "N0", 1, 5, "Number of Loads"),
    ("623", "ID", 2, 2, "Time Code"),
    ("626", "ID", 1, 2, "Excess Transportation Reason Code"),
    ("627", "ID", 1, 1, "Excess Transportation Responsibility Code"),
    ("628", "AN", 1, 12, "Hierarchical ID Number"),
    ("639", "ID", 2, 2, "Basis of Unit Price Code"),
    ("640", "ID", 2, 2, "Transaction Type Code"),
    ("641", "ID", 3, 3, "Status Reason Code"),
    ("646", "R", 1, 15, "Quantity Shipped to Date"),
    ("648", "ID", 3, 3, "Price Multiplier Qualifier"),
    ("649", "R", 1, 10, "Multiplier"),
    ("653", "ID", 3, 3, "Discount Terms Type Code"),
    ("654", "ID", 2, 2, "Discount Base Qualifier"),
    ("655", "R", 1, 10, "Discount Base Value"),
    ("656", "ID", 2, 3, "Discount Control Limit Qualifier"),
    ("657", "N0", 1, 10, "Discount Control Limit"),
    ("659", "ID", 1, 2, "Basis of Verification Code"),
    ("662", "ID", 1, 1, "Relationship Code"),
    ("665", "ID", 1, 1, "Residue Indicator Code"),
    ("668", "ID", 2, 2, "Line Item Status Code"),
    ("669", "ID", 3, 3, "Currency Market/Exchange Code"),
    ("673", "ID", 2, 2, "Quantity Qualifier"),
    ("687", "ID", 2, 2, "Class of Trade Code"),
    ("688", "ID", 2, 2, "Restrictions/Conditions Qualifier"),
    ("704", "ID", 1, 2, "Paperwork/Report Action Code"),
    ("706", "ID", 2, 2, "Entity Relationship Code"),
    ("715", "ID", 1, 1, "Functional Group Acknowledgment Code"),
    ("716", "ID", 1, 3, "Functional Group Syntax Error Code"),
    ("717", "ID", 1, 1, "Transaction Set Acknowledgment Code"),
    ("718", "ID", 1, 3, "Transaction Set Syntax Error Code"),
    ("719", "N0", 1, 6, "Segment Position in Transaction Set"),
    ("720", "ID", 1, 3, "Segment Syntax Error Code"),
    ("721", "ID", 2, 3, "Segment ID Code"),
    ("722", "N0", 1, 2, "Element Position in Segment"),
    ("723", "ID", 1, 3, "Data Element Syntax Error Code"),
    ("724", "AN", 1, 99, "Copy of Bad Data Element"),
    ("725", "N0", 1, 4, "Data Element Reference Number"),
    ("728", "ID", 1, 2, "Returnable Container Load Make-Up Code"),
    ("729", "AN", 1, 6, "Category"),
    ("731", "ID", 2, 2, "Transit Direction Code"),
    ("732", "ID", 2, 2, "Transit Time Direction Qualifier"),
    ("733", "R", 1, 4, "Transit Time"),
    ("734", "AN", 1, 12, "Hierarchical Parent ID Number"),
    ("735", "ID", 1, 2, "Hierarchical Level Code"),
    ("736", "ID", 1, 1, "Hierarchical Child Code"),
    ("737", "ID", 2, 2, "Measurement Reference ID Code"),
    ("738", "ID", 1, 3, "Measurement Qualifier"),
    ("739", "R", 1, 20, "Measurement Value"),
    ("740", "R", 1, 20, "Range Minimum"),
    ("741", "R", 1, 20, "Range Maximum"),
    ("743", "ID", 1, 2, "Returnable Container Payment Responsibility"),
    ("750", "ID", 2, 3, "Product/Process Characteristic Code"),
    ("751", "AN", 1, 12, "Product Description Code"),
    ("752", "ID", 2, 2, "Surface/Layer/Position Code"),
    ("753", "ID", 1, 5, "Packaging Characteristic Code"),
    ("754", "AN", 1, 7, "Packaging Description Code"),
    ("755", "ID", 2, 2, "Report Type Code"),
    ("756", "ID", 1, 2, "Report Transmission Code"),
    ("757", "N0", 1, 2, "Report Copies Needed"),
    ("759", "ID", 2, 2, "Reportable Quantity Code"),
    ("765", "N0", 1, 2, "Day of Month"),
    ("770", "AN", 1, 20, "Option Number"),
    ("782", "R", 1, 18, "Monetary Amount"),
    ("786", "ID", 2, 2, "Security Level Code"),
    ("790", "AN", 1, 132, "Entity Title"),
    ("791", "AN", 1, 80, "Entity Purpose"),
    ("792", "ID", 1, 1, "Entity Status Code"),
    ("799", "AN", 1, 30, "Version Identifier"),
    ("805", "AN", 1, 25, "Canadian Hazardous Notation"),
    ("806", "ID", 1, 10, "EPA Waste Stream Number Code"),
    ("807", "ID", 1, 10, "Waste Characteristics Code"),
    ("808", "ID", 3, 3, "Hazardous Material Shipment Information Qualifier"),
    ("809", "AN", 1, 25, "Hazardous Material Shipment Information"),
    ("810", "N0", 1, 6, "Inner Pack"),
    ("819", "ID", 2, 3, "Language Code"),
    ("822", "AN", 1, 15, "Source Subqualifier"),
    ("828", "R", 1, 9, "Dollar Basis For Percent"),
    ("854", "ID", 2, 2, "Vessel Type Code"),
    ("883", "ID", 1, 1, "Pallet Type Code"),
    ("884", "N0", 1, 3, "Pallet Tiers"),
    ("885", "N0", 1, 3, "Pallet Blocks"),
    ("897", "ID", 1, 1, "Vessel Code Qualifier"),
    ("933", "AN", 1, 264, "Free-form Message Text"),
    ("934", "ID", 2, 2, "Printer Carriage Control Code"),
    ("935", "ID", 2, 2, "Measurement Significance Code"),
    ("936", "ID", 2, 2, "Measurement Attribute Code"),
    ("951", "ID", 1, 2, "Balance Type Code"),
    ("954", "R", 1, 10, "Percentage as Decimal"),
    ("955", "ID", 2, 2, "Tax Jurisdiction Code Qualifier"),
    ("956", "AN", 1, 10, "Tax Jurisdiction Code"),
    ("963", "ID", 2, 2, "Tax Type Code"),
    ("983", "ID", 1, 1, "Hazardous Class Qualifier"),
    ("984", "ID", 1, 1, "Hazardous Material Shipping Name Qualifier"),
    ("985", "ID", 3, 3, "N.O.S. Indicator Code"),
    ("986", "AN", 1, 30, "Special Commodity Indicator Code"),
    ("1000", "ID", 2, 2, "Service Characteristics Qualifier"),
    ("1004", "ID", 1, 2, "Percent Qualifier"),
    ("1005", "ID", 4, 4, "Hierarchical Structure Code"),
    ("1018", "R", 1, 15, "Exponent"),
    ("1019", "ID", 3, 3, "Invoice Type Code"),
    ("1023", "ID", 1, 1, "Hazard Zone Code"),
    ("1066", "ID", 1, 2, "Citizenship Status Code"),
    ("1067", "ID", 1, 1, "Marital Status Code"),
    ("1068", "ID", 1, 1, "Gender Code"),
    ("1073", "ID", 1, 1, "Yes/No Condition or Response Code"),
    ("1096", "ID", 5, 5, "County Designator"),
    ("1106", "ID", 2, 2, "Address Component Qualifier"),
    ("1109", "ID", 1, 1, "Race or Ethnicity Code"),
    ("1136", "ID", 2, 2, "Code Category"),
    ("1166", "ID", 2, 2, "Contract Type Code"),
    ("1179", "ID", 3, 3, "Customs Entry Type Group Code"),
    ("1195", "AN", 1, 80, "Financial Information Code"),
    ("1196", "ID", 2, 2, "Breakdown Structure Detail Code"),
    ("1232", "ID", 2, 2, "Purchase Category"),
    ("1250", "ID", 2, 3, "Date Time Period Format Qualifier"),
    ("1251", "AN", 1, 35, "Date Time Period"),
    ("1270", "ID", 1, 3, "Code List Qualifier Code"),
    ("1271", "AN", 1, 30, "Industry Code"),
    ("1300", "ID", 4, 4, "Service, Promotion, Allowance, or Charge Code"),
    ("1301", "AN", 1, 10, "Agency Service, Promotion, Allowance, or Charge Code"),
    ("1309", "ID", 2, 2, "Cost Breakdown Code"),
    ("1310", "ID", 1, 2, "Cost Breakdown Qualifier"),
    ("1321", "ID", 2, 3, "Condition Indicator"),
    ("1322", "ID", 1, 1, "Certification Type Code"),
    ("1373", "ID", 2, 4, "Measurement Method or Device"),
    ("1375", "AN", 5, 5, "Interim Hazardous Material Regulatory Number"),
    ("1401", "ID", 1, 3, "Proposal Data Detail Identifier Code"),
    ("1430", "AN", 1, 10, "Requested Service Code"),
    ("1470", "N0", 1, 9, "Number"),
    ("1525", "ID", 1, 2, "Request Category Code"),
    ("1528", "N0", 1, 2, "Composite Data Element Position in Composite"),
    ("1551", "AN", 1, 4096, "Textual Data"),
)

_BASE = {ref: ElementDef(ref, kind, lo, hi, name) for ref, kind, lo, hi, name in _TABLE}

ELEMENTS_004010: dict[str, ElementDef] = dict(_BASE)
ELEMENTS_005010: dict[str, ElementDef] = {
    **_BASE,
    "127": ElementDef("127", "AN", 1, 50, "Reference Identification"),
    "358": ElementDef("358", "R", 1, 15, "Quantity Invoiced"),
    "364": ElementDef("364", "AN", 1, 256, "Communication Number"),
    "447": ElementDef("447", "AN", 1, 4, "Loop Identifier Code"),
    "719": ElementDef("719", "N0", 1, 10, "Segment Position in Transaction Set"),
    # introduced in 005010 (ST03/AK203, N407, C030-03, the 999 segments)
    "618": ElementDef("618", "ID", 1, 3, "Implementation Transaction Set Syntax Error Code"),
    "620": ElementDef("620", "ID", 1, 3, "Implementation Segment Syntax Error Code"),
    "621": ElementDef("621", "ID", 1, 3, "Implementation Data Element Syntax Error Code"),
    "1686": ElementDef("1686", "N0", 1, 4, "Repeating Data Element Position"),
    "1705": ElementDef("1705", "AN", 1, 35, "Implementation Convention Reference"),
    "1715": ElementDef("1715", "ID", 1, 3, "Country Subdivision Code"),
    "9998": ElementDef("9998", "AN", 1, 35, "Context Reference"),
    "9999": ElementDef("9999", "AN", 1, 35, "Context Name"),
}


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PURPOSE_004010 = _codes(
    "00 01 02 03 04 05 06 07 08 10 11 12 13 14 15 16 17 18 19 20 21 22 24 25 26 27 28 30 31 32"
    " 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 5C 77 CN CO EX GR"
    " PR RH RV SU ZZ"
)
_ACK_TYPE = _codes("AC AD AE AH AK AP AT NA RD RF RJ RN RO RV ZZ")
_LINE_STATUS_004010 = _codes(
    "AA AC AR BP DR IA IB IC ID IE IF IH IP IQ IR IS IW R1 R2 R3 R4 R5 R6 R7 R8 SP"
)
_HL_LEVEL_004010 = _codes(
    "1 2 3 4 5 6 7 8 9 19 20 21 22 23 24 25 26 27 28 29 2A 2B 2C 2D 2E 2F 2G 2H 2I 2J 2K 2L"
    " 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59"
    " 60 61 62 A AD AG AL AP AS B BD BE BP C CB CC CE CH CI CL CN CO CT D DG DP E ED EL EM EV EX"
    " F FC FG FI FL FR G GC GP GW H I IA IB IC IN J JU K L M ML NI NS O OS P PA PB PC PD PH PL PP"
    " PR PS PT PY Q R RA RB RC RD RE RF RM RP S SA SB SC SD SE SH SI SL SP SR SS SY T TI TS U UT V"
    " W WB WC WL WP WR X Y ZZ"
)
_ALLOWANCE_CHARGE = _codes("A C N P Q R S")
_GROUP_ACK = _codes("A E M P R W X")
_SET_ACK = _codes("A E M R W X")
_SET_ERROR_004010 = _codes("1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 19 20 21 22 23 24 25 26 27")
_SEGMENT_ERROR = _codes("1 2 3 4 5 6 7 8")

#: element number -> complete code list in that version, or None (unrestricted / unconfirmed)
CODES_004010: dict[str, frozenset[str] | None] = {
    "248": _ALLOWANCE_CHARGE,
    "353": _PURPOSE_004010,
    "587": _ACK_TYPE,
    "668": _LINE_STATUS_004010,
    "715": _GROUP_ACK,
    "717": _SET_ACK,
    "718": _SET_ERROR_004010,
    "720": _SEGMENT_ERROR,
    "723": _codes("1 2 3 4 5 6 7 8 9 10"),
    "735": _HL_LEVEL_004010,
}
CODES_005010: dict[str, frozenset[str] | None] = {
    "248": _ALLOWANCE_CHARGE,
    "353": None,  # grew between 004030 (65 codes) and later releases; 005010 list not confirmed
    "587": _ACK_TYPE,
    "668": None,  # 005010 list not confirmed
    "715": _GROUP_ACK,
    "717": _SET_ACK,
    "718": None,  # 005010 reworked the security codes (18, 19); list not confirmed
    "720": _SEGMENT_ERROR,
    "723": _codes("1 2 3 4 5 6 7 8 9 10 12 13"),
    "735": None,  # 005010 list not confirmed
    "620": _codes("1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9"),
    "621": _codes("1 2 3 4 5 6 7 8 9 10 12 13 I6 I9 I10 I11 I12 I13"),
}
