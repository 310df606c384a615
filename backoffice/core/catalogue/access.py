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
    "Signing in…": ("جارٍ تسجيل الدخول…", "در حال ورود…"),
    "Sign out everywhere": ("تسجيل الخروج من كل مكان", "خروج از همه‌جا"),
    "Signed out on every device: the user signs in again with their password.": (
        "سُجّل الخروج على كل الأجهزة: يسجّل المستخدم دخوله من جديد بكلمة مروره.",
        "از همه دستگاه‌ها خارج شد: کاربر دوباره با گذرواژه خود وارد می‌شود.",
    ),
    "Password changed. You were signed out everywhere else.": (
        "تم تغيير كلمة المرور. سُجّل خروجك من كل مكان آخر.",
        "گذرواژه تغییر کرد. از همه جاهای دیگر خارج شدید.",
    ),
    "Signed-in browsers and devices": ("المتصفحات والأجهزة المسجّل دخولها", "مرورگرها و دستگاه‌های واردشده"),
    "Sign out everywhere else": ("تسجيل الخروج من كل مكان آخر", "خروج از همه جاهای دیگر"),
    "Signed out everywhere else.": ("سُجّل الخروج من كل مكان آخر.", "از همه جاهای دیگر خارج شدید."),
    "The database is busy": ("قاعدة البيانات مشغولة", "پایگاه داده مشغول است"),
    "Another program is using the database file:": (
        "برنامج آخر يستخدم ملف قاعدة البيانات:",
        "برنامه دیگری از فایل پایگاه داده استفاده می‌کند:",
    ),
    "The app opens it as soon as that program has finished. This page tries again every few seconds.": (
        "يفتحه التطبيق حالما ينتهي ذلك البرنامج. تعيد هذه الصفحة المحاولة كل بضع ثوانٍ.",
        "برنامه به محض پایان کار آن برنامه، آن را باز می‌کند. این صفحه هر چند ثانیه دوباره تلاش می‌کند.",
    ),
    "another program": ("برنامج آخر", "برنامه‌ای دیگر"),
    "process": ("العملية", "فرایند"),
}
