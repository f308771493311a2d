<?xml version="1.0" encoding="UTF-8"?>
<!-- canonical XML (an order_ack) -> Northwind's OrderConfirmation. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:template match="/order_ack">
    <OrderConfirmation number="{po_number}" status="{status}">
      <xsl:for-each select="lines">
        <Item no="{line_number}" qty="{quantity}" status="{status}"/>
      </xsl:for-each>
    </OrderConfirmation>
  </xsl:template>
</xsl:stylesheet>
