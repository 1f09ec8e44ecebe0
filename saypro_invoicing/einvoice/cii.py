"""BillingModel -> UN/CEFACT Cross Industry Invoice D16B: Factur-X / ZUGFeRD EN 16931 and XRechnung CII.

Element order follows the Factur-X EN 16931 schema (a strict subset of D16B, so the same document is
valid D16B too). Credit notes are type 381 with positive amounts, as EN 16931 wants them.
"""

from __future__ import annotations

from lxml import etree

from ..document.model import AllowanceCharge, BillingModel, ModelLine, Party, VatBreakdown
from ..snapshot import Address
from . import values as v
from .formats import Spec
from .parties import buyer_endpoint, buyer_name, seller_endpoint
from .xml import Builder, serialize

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def write_cii(model: BillingModel, number: str, spec: Spec) -> bytes:
    return serialize(_Writer(model, number, spec).document())


class _Writer:
    def __init__(self, model: BillingModel, number: str, spec: Spec):
        self.m = model
        self.number = number
        self.spec = spec
        self.b = Builder(NS)
        self.cur = model.currency

    def amount(self, value) -> str:
        return v.amount(value, self.cur)

    def document(self) -> etree._Element:
        b, m = self.b, self.m
        root = b.root("rsm:CrossIndustryInvoice")
        context = b.add(root, "rsm:ExchangedDocumentContext")
        if self.spec.profile:
            b.add(b.add(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", self.spec.profile)
        b.add(b.add(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", self.spec.customization)
        header = b.add(root, "rsm:ExchangedDocument")
        b.add(header, "ram:ID", self.number)
        b.add(header, "ram:TypeCode", m.type_code.value)
        self.date(b.add(header, "ram:IssueDateTime"), v.issue_date(m))
        if m.reason:
            b.add(b.add(header, "ram:IncludedNote"), "ram:Content", m.reason)
        transaction = b.add(root, "rsm:SupplyChainTradeTransaction")
        for line in m.lines:
            self.line(transaction, line)
        self.agreement(b.add(transaction, "ram:ApplicableHeaderTradeAgreement"))
        delivery = b.add(transaction, "ram:ApplicableHeaderTradeDelivery")
        if m.delivery_date:
            self.date(b.add(b.add(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime"),
                      m.delivery_date)
        self.settlement(b.add(transaction, "ram:ApplicableHeaderTradeSettlement"))
        return root

    def date(self, parent: etree._Element, day, tag: str = "udt:DateTimeString") -> None:
        self.b.add(parent, tag, v.cii_date(day), format="102")

    # --- lines ------------------------------------------------------------------------------------

    def line(self, parent: etree._Element, line: ModelLine) -> None:
        b = self.b
        item = b.add(parent, "ram:IncludedSupplyChainTradeLineItem")
        b.add(b.add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.position)
        product = b.add(item, "ram:SpecifiedTradeProduct")
        b.text(product, "ram:SellerAssignedID", line.sku)
        b.add(product, "ram:Name", line.name or "Item")
        b.text(product, "ram:Description", line.description)
        agreement = b.add(item, "ram:SpecifiedLineTradeAgreement")
        b.add(b.add(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", v.number(line.net_price))
        b.add(b.add(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", v.number(line.quantity),
              unitCode=line.unit_code)
        settlement = b.add(item, "ram:SpecifiedLineTradeSettlement")
        self.tax(settlement, line.vat_category, line.vat_rate)
        if line.allowance:
            self.line_adjustment(settlement, False, line.allowance, "95", "Discount")
        if line.charge:
            self.line_adjustment(settlement, True, line.charge, "", "Rounding")
        b.add(b.add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
              self.amount(line.net_amount))

    def tax(self, parent: etree._Element, category, rate, tag: str = "ram:ApplicableTradeTax") -> None:
        b = self.b
        tax = b.add(parent, tag)
        b.add(tax, "ram:TypeCode", "VAT")
        b.add(tax, "ram:CategoryCode", category.value)
        if category not in v.NO_RATE:
            b.add(tax, "ram:RateApplicablePercent", v.percent(rate))

    def line_adjustment(self, parent: etree._Element, is_charge: bool, value, code: str, reason: str) -> None:
        b = self.b
        element = b.add(parent, "ram:SpecifiedTradeAllowanceCharge")
        b.add(b.add(element, "ram:ChargeIndicator"), "udt:Indicator", "true" if is_charge else "false")
        b.add(element, "ram:ActualAmount", self.amount(value))
        b.text(element, "ram:ReasonCode", code)
        b.add(element, "ram:Reason", reason)

    # --- header -----------------------------------------------------------------------------------

    def agreement(self, agreement: etree._Element) -> None:
        b, m = self.b, self.m
        b.text(agreement, "ram:BuyerReference", m.buyer_reference)
        self.party(agreement, "ram:SellerTradeParty", m.seller, m.seller.name, seller_endpoint(m, self.spec),
                   seller=True)
        self.party(agreement, "ram:BuyerTradeParty", m.buyer, buyer_name(m.buyer), buyer_endpoint(m, self.spec),
                   seller=False)
        if m.order_number:
            b.add(b.add(agreement, "ram:SellerOrderReferencedDocument"), "ram:IssuerAssignedID", m.order_number)
        if m.purchase_order_reference:
            b.add(b.add(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID",
                  m.purchase_order_reference)

    def party(self, parent: etree._Element, tag: str, party: Party, name: str, endpoint: tuple[str, str] | None,
              *, seller: bool) -> None:
        b = self.b
        element = b.add(parent, tag)
        b.add(element, "ram:Name", name)
        contact_name = party.contact_name or (party.name if not seller and party.company else "")
        if contact_name or party.phone or party.email:
            contact = b.add(element, "ram:DefinedTradeContact")
            b.text(contact, "ram:PersonName", contact_name)
            if party.phone:
                b.add(b.add(contact, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", party.phone)
            if party.email:
                b.add(b.add(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", party.email)
        self.address(b.add(element, "ram:PostalTradeAddress"), party.address)
        if endpoint:
            b.add(b.add(element, "ram:URIUniversalCommunication"), "ram:URIID", endpoint[1], schemeID=endpoint[0])
        if party.vat_id:
            b.add(b.add(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")
        if seller and party.tax_number:
            b.add(b.add(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.tax_number, schemeID="FC")

    def address(self, element: etree._Element, address: Address) -> None:
        b = self.b
        b.text(element, "ram:PostcodeCode", address.postal_code)
        b.text(element, "ram:LineOne", address.street_address_1)
        b.text(element, "ram:LineTwo", address.street_address_2)
        b.text(element, "ram:CityName", address.city)
        b.text(element, "ram:CountryID", address.country.upper())
        b.text(element, "ram:CountrySubDivisionName", address.country_area)

    def settlement(self, settlement: etree._Element) -> None:
        b, m, t = self.b, self.m, self.m.totals
        if t.amount_due > 0 and m.type_code.value == "380":
            b.add(settlement, "ram:PaymentReference", self.number)
        b.add(settlement, "ram:InvoiceCurrencyCode", self.cur)
        means = b.add(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        b.add(means, "ram:TypeCode", v.payment_means(m))
        b.text(means, "ram:Information", m.payment_instructions)
        for row in m.vat_breakdown:
            self.breakdown(settlement, row)
        for item in (*m.allowances, *m.charges):
            self.document_adjustment(settlement, item)
        terms_text = v.payment_terms(m)
        if terms_text or m.due_date:
            terms = b.add(settlement, "ram:SpecifiedTradePaymentTerms")
            b.text(terms, "ram:Description", terms_text)
            if m.due_date:
                self.date(b.add(terms, "ram:DueDateDateTime"), m.due_date)
        sums = b.add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
        b.add(sums, "ram:LineTotalAmount", self.amount(t.line_net_total))
        if m.charges:
            b.add(sums, "ram:ChargeTotalAmount", self.amount(t.charge_total))
        if m.allowances:
            b.add(sums, "ram:AllowanceTotalAmount", self.amount(t.allowance_total))
        b.add(sums, "ram:TaxBasisTotalAmount", self.amount(t.net_total))
        b.add(sums, "ram:TaxTotalAmount", self.amount(t.vat_total), currencyID=self.cur)
        if t.rounding:
            b.add(sums, "ram:RoundingAmount", self.amount(t.rounding))
        b.add(sums, "ram:GrandTotalAmount", self.amount(t.gross_total))
        if t.prepaid:
            b.add(sums, "ram:TotalPrepaidAmount", self.amount(t.prepaid))
        b.add(sums, "ram:DuePayableAmount", self.amount(t.amount_due))
        if m.preceding_invoice_number:
            ref = b.add(settlement, "ram:InvoiceReferencedDocument")
            b.add(ref, "ram:IssuerAssignedID", m.preceding_invoice_number)
            if m.preceding_invoice_date:
                self.date(b.add(ref, "ram:FormattedIssueDateTime"), m.preceding_invoice_date, "qdt:DateTimeString")

    def breakdown(self, parent: etree._Element, row: VatBreakdown) -> None:
        b = self.b
        tax = b.add(parent, "ram:ApplicableTradeTax")
        b.add(tax, "ram:CalculatedAmount", self.amount(row.tax_amount))
        b.add(tax, "ram:TypeCode", "VAT")
        b.text(tax, "ram:ExemptionReason", row.exemption_reason)
        b.add(tax, "ram:BasisAmount", self.amount(row.taxable_amount))
        b.add(tax, "ram:CategoryCode", row.category.value)
        b.text(tax, "ram:ExemptionReasonCode", row.exemption_code)
        if row.category not in v.NO_RATE:
            b.add(tax, "ram:RateApplicablePercent", v.percent(row.rate))

    def document_adjustment(self, parent: etree._Element, item: AllowanceCharge) -> None:
        b = self.b
        element = b.add(parent, "ram:SpecifiedTradeAllowanceCharge")
        b.add(b.add(element, "ram:ChargeIndicator"), "udt:Indicator", "true" if item.is_charge else "false")
        b.add(element, "ram:ActualAmount", self.amount(item.amount))
        b.text(element, "ram:ReasonCode", item.reason_code)
        b.text(element, "ram:Reason", item.reason)
        self.tax(element, item.vat_category, item.vat_rate, "ram:CategoryTradeTax")
