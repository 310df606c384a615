"""UI strings of accounts, invitations and memberships."""

ENTRIES: dict[str, tuple[str, str]] = {
    "Invitations": ("الدعوات", "دعوت\u200cنامه\u200cها"),
    "{org} invites you as {role}.": ("تدعوك {org} بدور {role}.", "{org} شما را با نقش {role} دعوت کرده است."),
    "Accept": ("قبول", "پذیرفتن"),
    "Decline": ("رفض", "نپذیرفتن"),
    "invited": ("مدعو", "دعوت\u200cشده"),
    "Invited, waiting for the account's owner to accept": (
        "مدعوون بانتظار قبول صاحب الحساب",
        "دعوت\u200cشده، در انتظار پذیرش صاحب حساب",
    ),
    "An account with this email already exists. It is invited: give this code to the person; they accept under My account with it, within 3 days:": (
        "يوجد حساب بهذا البريد الإلكتروني. أُرسلت إليه دعوة: أعطِ هذا الرمز لصاحبه؛ يقبل الدعوة به من «حسابي» خلال 3 أيام:",
        "حسابی با این ایمیل وجود دارد. دعوت شد: این کد را به صاحب آن بدهید؛ او ظرف ۳ روز در «حساب من» با آن می\u200cپذیرد:",
    ),
    "Code from the admin who invited you": ("الرمز من المدير الذي دعاك", "کد از مدیری که شما را دعوت کرد"),
}
