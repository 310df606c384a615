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
    "Password changed. You were signed out everywhere else and your API tokens were revoked.": (
        "تم تغيير كلمة المرور. سُجّل خروجك من كل مكان آخر وأُلغيت رموز الواجهة البرمجية.",
        "گذرواژه تغییر کرد. از همه جاهای دیگر خارج شدید و توکن‌های API شما باطل شد.",
    ),
    "Signed-in browsers and devices": ("المتصفحات والأجهزة المسجّل دخولها", "مرورگرها و دستگاه‌های واردشده"),
    "Backups": ("النسخ الاحتياطية", "پشتیبان‌ها"),
    "A backup holds the whole database, every organization in it; it is taken while everyone works.": (
        "تحوي النسخة الاحتياطية قاعدة البيانات كلها بكل منظماتها، وتؤخذ والجميع يعمل.",
        "پشتیبان همه پایگاه داده را با همه سازمان‌هایش در بر دارد و در حالی گرفته می‌شود که همه کار می‌کنند.",
    ),
    "Folder": ("المجلد", "پوشه"),
    "The app takes one every day and keeps 7 daily and 4 weekly.": (
        "يأخذ التطبيق نسخة كل يوم ويحتفظ بسبع يومية وأربع أسبوعية.",
        "برنامه هر روز یک پشتیبان می‌گیرد و ۷ روزانه و ۴ هفتگی نگه می‌دارد.",
    ),
    "Daily backups are off: start the app with BACKOFFICE_BACKUPS=daily.": (
        "النسخ اليومية متوقفة: شغّل التطبيق مع BACKOFFICE_BACKUPS=daily.",
        "پشتیبان روزانه خاموش است: برنامه را با BACKOFFICE_BACKUPS=daily اجرا کنید.",
    ),
    "Back up now": ("نسخ احتياطي الآن", "همین حالا پشتیبان بگیر"),
    "Backed up to {file} ({size:,} bytes).": (
        "حُفظت النسخة في {file} ({size:,} بايت).",
        "پشتیبان در {file} ذخیره شد ({size:,} بایت).",
    ),
    "File": ("الملف", "پرونده"),
    "Bytes": ("بايت", "بایت"),
    "A restore goes into a new database and is checked against the backup: backoffice restore FILE --db NEW": (
        "تُستعاد النسخة في قاعدة بيانات جديدة وتُفحص مقابل النسخة: backoffice restore FILE --db NEW",
        "بازگردانی در پایگاه داده‌ای تازه انجام و با پشتیبان سنجیده می‌شود: backoffice restore FILE --db NEW",
    ),
    "API tokens": ("رموز الواجهة البرمجية", "توکن‌های API"),
    "A token lets a script use /api/v1 as you, in this organization, with your role.": (
        "يتيح الرمز لبرنامج استخدام ‎/api/v1 باسمك في هذه المنظمة وبدورك.",
        "توکن به یک اسکریپت اجازه می‌دهد با نام شما، در این سازمان و با نقش شما از ‎/api/v1 استفاده کند.",
    ),
    "What it is for": ("الغرض منه", "برای چه کاری"),
    "Works for": ("صالح لمدة", "اعتبار تا"),
    "until revoked": ("حتى الإلغاء", "تا باطل شدن"),
    "days": ("يومًا", "روز"),
    "Expires": ("ينتهي", "انقضا"),
    "Create token": ("إنشاء رمز", "ساختن توکن"),
    "Copy the token now: it is not shown again.": (
        "انسخ الرمز الآن: لن يظهر مرة أخرى.",
        "توکن را همین حالا کپی کنید: دوباره نشان داده نمی‌شود.",
    ),
    "Last used": ("آخر استخدام", "آخرین استفاده"),
    "Created": ("أُنشئ", "ساخته‌شده"),
    "Revoked": ("أُلغي", "باطل‌شده"),
    "Token": ("الرمز", "توکن"),
    "Revoke": ("إلغاء", "باطل کردن"),
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
