"""The words printed on documents, in English, Arabic and Persian (words from docs/glossary.md).

Owns document terms and which languages a document is in; the UI's strings live in backoffice.core.i18n.
"""

from __future__ import annotations

from backoffice.core.i18n import LANGUAGE_SETS

# key: (English, Arabic, Persian)
TERMS: dict[str, tuple[str, str, str]] = {
    "invoice": ("Invoice", "فاتورة", "فاکتور"),
    "tax_invoice": ("Tax invoice", "فاتورة ضريبية", "صورتحساب مالیاتی"),
    "simplified_tax_invoice": ("Simplified tax invoice", "فاتورة ضريبية مبسطة", "صورتحساب مالیاتی ساده"),
    "credit_note": ("Credit note", "إشعار دائن", "اعلامیه بستانکار"),
    "receipt": ("Receipt", "سند قبض", "رسید دریافت"),
    "statement": ("Statement of account", "كشف حساب", "صورت‌حساب"),
    "number": ("Number", "الرقم", "شماره"),
    "invoice_number": ("Invoice no.", "رقم الفاتورة", "شماره فاکتور"),
    "credit_note_number": ("Credit note no.", "رقم الإشعار", "شماره اعلامیه"),
    "receipt_number": ("Receipt no.", "رقم السند", "شماره رسید"),
    "date": ("Date", "التاريخ", "تاریخ"),
    "issue_date": ("Issue date", "تاريخ الإصدار", "تاریخ صدور"),
    "due_date": ("Due date", "تاريخ الاستحقاق", "تاریخ سررسید"),
    "hijri_date": ("Hijri date", "التاريخ الهجري", "تاریخ قمری"),
    "jalali_date": ("Solar Hijri date", "التاريخ الشمسي", "تاریخ شمسی"),
    "corrects": ("Credits invoice", "مرتبط بالفاتورة", "مربوط به فاکتور"),
    "reason": ("Reason", "السبب", "علت"),
    "seller_vat": ("VAT no.", "الرقم الضريبي", "شماره اقتصادی"),
    "bill_to": ("Bill to", "العميل", "خریدار"),
    "customer": ("Customer", "العميل", "مشتری"),
    "received_from": ("Received from", "استلمنا من", "دریافت از"),
    "customer_vat": ("Customer VAT no.", "الرقم الضريبي للعميل", "شماره اقتصادی خریدار"),
    "line_no": ("#", "م", "ردیف"),
    "description": ("Description", "الوصف", "شرح"),
    "sku": ("SKU", "رمز المنتج", "کد کالا"),
    "quantity": ("Qty", "الكمية", "تعداد"),
    "unit_price": ("Unit price", "سعر الوحدة", "قیمت واحد"),
    "discount": ("Discount", "الخصم", "تخفیف"),
    "net": ("Net", "الصافي", "خالص"),
    "vat_rate": ("VAT %", "نسبة الضريبة", "نرخ مالیات"),
    "vat": ("VAT", "الضريبة", "مالیات"),
    "line_total": ("Total", "الإجمالي", "جمع"),
    "shipping": ("Shipping", "الشحن", "هزینه ارسال"),
    "exempt": ("exempt", "معفى", "معاف"),
    "subtotal": ("Subtotal (excl. VAT)", "المجموع قبل الضريبة", "جمع قبل از مالیات"),
    "vat_total": ("VAT total", "إجمالي الضريبة", "جمع مالیات"),
    "total_incl_vat": ("Total incl. VAT", "الإجمالي شامل الضريبة", "جمع کل با احتساب مالیات"),
    "total_credited": (
        "Total credited incl. VAT",
        "إجمالي المبلغ الدائن شامل الضريبة",
        "جمع بستانکار با مالیات",
    ),
    "amount_in_words": ("Amount in words", "المبلغ كتابةً", "مبلغ به حروف"),
    "amount": ("Amount", "المبلغ", "مبلغ"),
    "amount_received": ("Amount received", "المبلغ المستلم", "مبلغ دریافتی"),
    "payment_method": ("Payment method", "طريقة الدفع", "روش پرداخت"),
    "applied_to": ("Applied to", "مخصص لـ", "بابت"),
    "on_account": (
        "On account (customer credit)",
        "دفعة على الحساب (رصيد للعميل)",
        "علی‌الحساب (اعتبار مشتری)",
    ),
    "period": ("Period", "الفترة", "دوره"),
    "from": ("From", "من", "از"),
    "to": ("To", "إلى", "تا"),
    "document": ("Document", "المستند", "سند"),
    "debit": ("Debit", "مدين", "بدهکار"),
    "credit": ("Credit", "دائن", "بستانکار"),
    "balance": ("Balance", "الرصيد", "مانده"),
    "opening_balance": ("Opening balance", "الرصيد الافتتاحي", "مانده اول دوره"),
    "closing_balance": ("Closing balance", "الرصيد الختامي", "مانده پایان دوره"),
    "currency": ("Currency", "العملة", "واحد پول"),
    "page": ("Page", "صفحة", "صفحه"),
    "walk_in": ("Cash customer", "عميل نقدي", "مشتری نقدی"),
    "cash": ("Cash", "نقداً", "نقدی"),
    "card": ("Card", "بطاقة", "کارت"),
    "bank_transfer": ("Bank transfer", "تحويل بنكي", "انتقال بانکی"),
    "wallet": ("Wallet", "محفظة إلكترونية", "کیف پول"),
    "store_payout": ("Store payout", "تحويل من المتجر", "تسویه فروشگاه"),
    "deposit": ("Deposit", "دفعة مقدمة", "پیش‌پرداخت"),
    "payment": ("Payment", "دفعة", "پرداخت"),
    "refund": ("Refund", "استرداد", "استرداد وجه"),
    "fee": ("Fee", "رسوم", "کارمزد"),
    "opening": ("Opening balances", "أرصدة افتتاحية", "مانده افتتاحیه"),
}
_INDEX = {"en": 0, "ar": 1, "fa": 2}


def term(key: str, language: str) -> str:
    """A term in one language; an unknown key prints as itself (a payment method named by the caller)."""
    found = TERMS.get(key)
    return found[_INDEX[language]] if found else key


def languages_for(
    org_language: str | None,
    customer_language: str | None,
    country: str | None,
    override: str | None = None,
    tax_document: bool = False,
) -> tuple[str, ...]:
    """The document's languages, primary first: the override, else the customer's, else the organization's.

    A Saudi tax invoice or credit note is always in Arabic too (ZATCA): without Arabic it becomes Arabic–English.
    """
    chosen = override or customer_language or org_language or "en"
    found = LANGUAGE_SETS.get(chosen)
    if found is None:
        from backoffice.core.errors import ValidationError

        raise ValidationError(f"choose one of {', '.join(LANGUAGE_SETS)}", "language")
    if tax_document and (country or "").upper() == "SA" and "ar" not in found:
        return ("ar", "en")
    return found
