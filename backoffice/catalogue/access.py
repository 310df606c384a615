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
    "An account with this email already exists. It is invited: it gets access once its owner signs in and accepts under My account.": (
        "يوجد حساب بهذا البريد الإلكتروني. أُرسلت إليه دعوة: يحصل على الصلاحية بعد أن يسجّل صاحبه الدخول ويقبلها من «حسابي».",
        "حسابی با این ایمیل وجود دارد. دعوت شد: پس از آنکه صاحب حساب وارد شود و در «حساب من» بپذیرد، دسترسی می\u200cیابد.",
    ),
}
