<?xml version="1.0" encoding="UTF-8"?>
<!-- Northwind's PurchaseOrder -> canonical XML (an order). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8"/>
  <xsl:template match="/PurchaseOrder">
    <order>
      <parties>
        <role>buyer</role>
        <name><xsl:value-of select="Buyer"/></name>
        <id><xsl:value-of select="Buyer/@code"/></id>
      </parties>
      <xsl:for-each select="Remark"><notes><xsl:value-of select="."/></notes></xsl:for-each>
      <po_number><xsl:value-of select="@number"/></po_number>
      <po_date><xsl:value-of select="@date"/></po_date>
      <purpose_code>new</purpose_code>
      <purpose>original</purpose>
      <currency><xsl:value-of select="@currency"/></currency>
      <xsl:for-each select="Item">
        <lines>
          <line_number><xsl:value-of select="@no"/></line_number>
          <item_ids><qualifier>VP</qualifier><value><xsl:value-of select="@sku"/></value></item_ids>
          <vendor_part_number><xsl:value-of select="@sku"/></vendor_part_number>
          <description><xsl:value-of select="."/></description>
          <quantity><xsl:value-of select="@qty"/></quantity>
          <uom><xsl:value-of select="@unit"/></uom>
          <unit_price><xsl:value-of select="@price"/></unit_price>
        </lines>
      </xsl:for-each>
    </order>
  </xsl:template>
</xsl:stylesheet>
