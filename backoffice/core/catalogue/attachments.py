"""UI strings of notes' attachments."""

ENTRIES: dict[str, tuple[str, str]] = {
    "PDF, images, office documents or text; at most {file} a file and {total} per customer.": (
        "PDF أو صور أو مستندات مكتبية أو نصوص؛ بحد أقصى {file} للملف و{total} لكل عميل.",
        "PDF، تصویر، سند اداری یا متن؛ حداکثر {file} برای هر فایل و {total} برای هر مشتری.",
    ),
}
