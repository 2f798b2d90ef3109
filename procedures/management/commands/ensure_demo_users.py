"""manage.py ensure_demo_users: demo superuser and officials with known passwords."""

from django.core.management.base import BaseCommand

from procedures.demo import demo_users_ensure


class Command(BaseCommand):
    help = "Tạo tài khoản minh họa (giữ mật khẩu đã có) và in thông tin đăng nhập (chỉ để thử)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="đặt lại mật khẩu minh họa (đăng xuất mọi phiên của các tài khoản này)",
        )

    def handle(self, *args, reset_passwords, **options):
        accounts = demo_users_ensure(reset_passwords=reset_passwords)
        self.stdout.write("Tài khoản minh họa (đăng nhập tại /dang-nhap/ hoặc /admin/):")
        for username, password, label in accounts:
            self.stdout.write(f"  {username:<12} mật khẩu: {password:<18} {label}")
