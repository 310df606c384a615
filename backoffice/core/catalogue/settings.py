"""UI strings of the organization's settings: VAT rounding (issue 19)."""

ENTRIES: dict[str, tuple[str, str]] = {
    "Per rate group: the VAT of each rate is its taxable amount × rate, rounded once (EN 16931, as ZATCA checks). "
    "Issued documents keep the amounts they were issued with.": (
        "لكل نسبة ضريبة: ضريبة كل نسبة هي المبلغ الخاضع لها × النسبة، مقرّبة مرة واحدة (EN 16931، كما تتحقق منها "
        "هيئة الزكاة والضريبة والجمارك). المستندات الصادرة تحتفظ بمبالغها كما صدرت.",
        "برای هر نرخ مالیات: مالیات هر نرخ برابر مبلغ مشمول آن × نرخ است که یک بار گرد می\u200cشود (EN 16931، "
        "همان\u200cگونه که ZATCA بررسی می\u200cکند). اسناد صادرشده مبالغ خود را همان\u200cگونه که صادر شده\u200cاند نگه می\u200cدارند.",
    ),
}
