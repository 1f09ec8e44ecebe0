"""BillingModel -> OASIS UBL 2.1 Invoice or CreditNote: XRechnung 3.0 UBL and Peppol BIS Billing 3.0.

Credit notes are UBL CreditNote documents (type 381) with positive amounts, referencing the invoice they
correct (BG-3). Element order follows the UBL 2.1 schemas.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..document.model import AllowanceCharge, BillingModel, ModelLine, Party, VatBreakdown, VatCategory
from ..snapshot import Address
from . import values as v
from .formats import Spec
from .parties import buyer_endpoint, buyer_name, seller_endpoint
from .xml import Builder, serialize

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"


def write_ubl(model: BillingModel, number: str, spec: Spec) -> bytes:
    return serialize(_Writer(model, number, spec).document())


class _Writer:
    def __init__(self, model: BillingModel, number: str, spec: Spec):
        self.m = model
        self.number = number
        self.spec = spec
        self.credit = model.is_credit_note
        root_ns = CREDIT_NOTE_NS if self.credit else INVOICE_NS
        self.b = Builder({None: root_ns, "cac": CAC, "cbc": CBC})
        self.cur = model.currency

    def money(self, parent: etree._Element, tag: str, value: Decimal) -> None:
        self.b.add(parent, tag, v.amount(value, self.cur), currencyID=self.cur)

    def document(self) -> etree._Element:
        b, m, t = self.b, self.m, self.m.totals
        root = b.root("CreditNote" if self.credit else "Invoice")
        b.add(root, "cbc:CustomizationID", self.spec.customization)
        b.text(root, "cbc:ProfileID", self.spec.profile)
        b.add(root, "cbc:ID", self.number)
        b.add(root, "cbc:IssueDate", v.iso_date(v.issue_date(m)))
        if m.due_date and not self.credit:
            b.add(root, "cbc:DueDate", v.iso_date(m.due_date))
        b.add(root, "cbc:CreditNoteTypeCode" if self.credit else "cbc:InvoiceTypeCode", m.type_code.value)
        b.text(root, "cbc:Note", m.reason)
        b.add(root, "cbc:DocumentCurrencyCode", self.cur)
        b.text(root, "cbc:BuyerReference", m.buyer_reference)
        if m.purchase_order_reference or m.order_number:
            order = b.add(root, "cac:OrderReference")
            # OrderReference/ID (BT-13) is mandatory in UBL; Peppol's convention for "no purchase order" is NA.
            b.add(order, "cbc:ID", m.purchase_order_reference or "NA")
            b.text(order, "cbc:SalesOrderID", m.order_number)
        if m.preceding_invoice_number:
            ref = b.add(b.add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
            b.add(ref, "cbc:ID", m.preceding_invoice_number)
            if m.preceding_invoice_date:
                b.add(ref, "cbc:IssueDate", v.iso_date(m.preceding_invoice_date))
        self.party(b.add(root, "cac:AccountingSupplierParty"), m.seller, m.seller.name, seller_endpoint(m, self.spec),
                   seller=True)
        self.party(b.add(root, "cac:AccountingCustomerParty"), m.buyer, buyer_name(m.buyer),
                   buyer_endpoint(m, self.spec), seller=False)
        if m.delivery_date:
            b.add(b.add(root, "cac:Delivery"), "cbc:ActualDeliveryDate", v.iso_date(m.delivery_date))
        means = b.add(root, "cac:PaymentMeans")
        b.add(means, "cbc:PaymentMeansCode", v.payment_means(m), name=_means_text(m))
        if t.amount_due > 0 and not self.credit:
            b.add(means, "cbc:PaymentID", self.number)
        terms = v.payment_terms(m)
        if terms:
            b.add(b.add(root, "cac:PaymentTerms"), "cbc:Note", terms)
        for item in (*m.allowances, *m.charges):
            self.adjustment(root, item)
        tax_total = b.add(root, "cac:TaxTotal")
        self.money(tax_total, "cbc:TaxAmount", t.vat_total)
        for row in m.vat_breakdown:
            self.subtotal(tax_total, row)
        sums = b.add(root, "cac:LegalMonetaryTotal")
        self.money(sums, "cbc:LineExtensionAmount", t.line_net_total)
        self.money(sums, "cbc:TaxExclusiveAmount", t.net_total)
        self.money(sums, "cbc:TaxInclusiveAmount", t.gross_total)
        if m.allowances:
            self.money(sums, "cbc:AllowanceTotalAmount", t.allowance_total)
        if m.charges:
            self.money(sums, "cbc:ChargeTotalAmount", t.charge_total)
        if t.prepaid:
            self.money(sums, "cbc:PrepaidAmount", t.prepaid)
        if t.rounding:
            self.money(sums, "cbc:PayableRoundingAmount", t.rounding)
        self.money(sums, "cbc:PayableAmount", t.amount_due)
        for line in m.lines:
            self.line(root, line)
        return root

    def party(self, parent: etree._Element, party: Party, name: str, endpoint: tuple[str, str] | None, *,
              seller: bool) -> None:
        b = self.b
        element = b.add(parent, "cac:Party")
        if endpoint:
            b.add(element, "cbc:EndpointID", endpoint[1], schemeID=endpoint[0])
        if not seller and party.company and party.name and party.name != party.company:
            b.add(b.add(element, "cac:PartyName"), "cbc:Name", party.company)
        self.address(b.add(element, "cac:PostalAddress"), party.address)
        if party.vat_id:
            self.tax_scheme(element, party.vat_id, "VAT")
        if seller and party.tax_number:
            # BT-32: Peppol and XRechnung read a tax scheme other than VAT as the national tax number.
            self.tax_scheme(element, party.tax_number, "FC")
        b.add(b.add(element, "cac:PartyLegalEntity"), "cbc:RegistrationName", name)
        contact_name = party.contact_name or (party.name if not seller and party.company else "")
        if contact_name or party.phone or party.email:
            contact = b.add(element, "cac:Contact")
            b.text(contact, "cbc:Name", contact_name)
            b.text(contact, "cbc:Telephone", party.phone)
            b.text(contact, "cbc:ElectronicMail", party.email)

    def tax_scheme(self, party: etree._Element, company_id: str, scheme: str) -> None:
        b = self.b
        element = b.add(party, "cac:PartyTaxScheme")
        b.add(element, "cbc:CompanyID", company_id)
        b.add(b.add(element, "cac:TaxScheme"), "cbc:ID", scheme)

    def address(self, element: etree._Element, address: Address) -> None:
        b = self.b
        b.text(element, "cbc:StreetName", address.street_address_1)
        b.text(element, "cbc:AdditionalStreetName", address.street_address_2)
        b.text(element, "cbc:CityName", address.city)
        b.text(element, "cbc:PostalZone", address.postal_code)
        b.text(element, "cbc:CountrySubentity", address.country_area)
        if address.country:
            b.add(b.add(element, "cac:Country"), "cbc:IdentificationCode", address.country.upper())

    def category(self, parent: etree._Element, tag: str, category: VatCategory, rate: Decimal,
                 row: VatBreakdown | None = None) -> None:
        b = self.b
        element = b.add(parent, tag)
        b.add(element, "cbc:ID", category.value)
        if category not in v.NO_RATE:
            b.add(element, "cbc:Percent", v.percent(rate))
        if row is not None:
            b.text(element, "cbc:TaxExemptionReasonCode", row.exemption_code)
            b.text(element, "cbc:TaxExemptionReason", row.exemption_reason)
        b.add(b.add(element, "cac:TaxScheme"), "cbc:ID", "VAT")

    def adjustment(self, parent: etree._Element, item: AllowanceCharge) -> None:
        b = self.b
        element = b.add(parent, "cac:AllowanceCharge")
        b.add(element, "cbc:ChargeIndicator", "true" if item.is_charge else "false")
        b.text(element, "cbc:AllowanceChargeReasonCode", item.reason_code)
        b.text(element, "cbc:AllowanceChargeReason", item.reason)
        self.money(element, "cbc:Amount", item.amount)
        self.category(element, "cac:TaxCategory", item.vat_category, item.vat_rate)

    def subtotal(self, parent: etree._Element, row: VatBreakdown) -> None:
        element = self.b.add(parent, "cac:TaxSubtotal")
        self.money(element, "cbc:TaxableAmount", row.taxable_amount)
        self.money(element, "cbc:TaxAmount", row.tax_amount)
        self.category(element, "cac:TaxCategory", row.category, row.rate, row)

    def line(self, parent: etree._Element, line: ModelLine) -> None:
        b = self.b
        element = b.add(parent, "cac:CreditNoteLine" if self.credit else "cac:InvoiceLine")
        b.add(element, "cbc:ID", line.position)
        b.add(element, "cbc:CreditedQuantity" if self.credit else "cbc:InvoicedQuantity", v.number(line.quantity),
              unitCode=line.unit_code)
        self.money(element, "cbc:LineExtensionAmount", line.net_amount)
        for is_charge, value, code, reason in ((False, line.allowance, "95", "Discount"),
                                               (True, line.charge, "", "Rounding")):
            if value:
                adjustment = b.add(element, "cac:AllowanceCharge")
                b.add(adjustment, "cbc:ChargeIndicator", "true" if is_charge else "false")
                b.text(adjustment, "cbc:AllowanceChargeReasonCode", code)
                b.add(adjustment, "cbc:AllowanceChargeReason", reason)
                self.money(adjustment, "cbc:Amount", value)
        item = b.add(element, "cac:Item")
        b.text(item, "cbc:Description", line.description)
        b.add(item, "cbc:Name", line.name or "Item")
        if line.sku:
            b.add(b.add(item, "cac:SellersItemIdentification"), "cbc:ID", line.sku)
        self.category(item, "cac:ClassifiedTaxCategory", line.vat_category, line.vat_rate)
        price = b.add(element, "cac:Price")
        b.add(price, "cbc:PriceAmount", v.number(line.net_price), currencyID=self.cur)


def _means_text(model: BillingModel) -> str:
    return " ".join(model.payment_instructions.split())[:200]
