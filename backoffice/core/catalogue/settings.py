"""UI strings of the organization's settings: VAT rounding and the fixed currency (issue 19)."""

ENTRIES: dict[str, tuple[str, str]] = {
    "The currency cannot change once an order, invoice, payment or journal entry exists: each document keeps the "
    "currency it was issued in and every balance adds them up. Use another organization for another currency.": (
        "لا يمكن تغيير العملة بعد وجود طلب أو فاتورة أو دفعة أو قيد يومية: كل مستند يحتفظ بالعملة التي صدر بها، "
        "وكل رصيد هو مجموعها. استخدم منشأة أخرى لعملة أخرى.",
        "پس از ثبت سفارش، فاکتور، پرداخت یا سند حسابداری، واحد پول تغییر نمی\u200cکند: هر سند واحد پولی را که با آن "
        "صادر شده نگه می\u200cدارد و هر مانده جمع آن\u200cهاست. برای واحد پول دیگر از سازمانی دیگر استفاده کنید.",
    ),
    "Per rate group: the VAT of each rate is its taxable amount × rate, rounded once (EN 16931, as ZATCA checks). "
    "Issued documents keep the amounts they were issued with.": (
        "لكل نسبة ضريبة: ضريبة كل نسبة هي المبلغ الخاضع لها × النسبة، مقرّبة مرة واحدة (EN 16931، كما تتحقق منها "
        "هيئة الزكاة والضريبة والجمارك). المستندات الصادرة تحتفظ بمبالغها كما صدرت.",
        "برای هر نرخ مالیات: مالیات هر نرخ برابر مبلغ مشمول آن × نرخ است که یک بار گرد می\u200cشود (EN 16931، "
        "همان\u200cگونه که ZATCA بررسی می\u200cکند). اسناد صادرشده مبالغ خود را همان\u200cگونه که صادر شده\u200cاند نگه می\u200cدارند.",
    ),
}
