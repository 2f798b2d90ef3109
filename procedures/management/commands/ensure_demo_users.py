"""manage.py ensure_demo_users: demo superuser and officials with known passwords."""

from django.core.management.base import BaseCommand

from procedures.demo import demo_users_ensure


class Command(BaseCommand):
    help = "Tạo hoặc đặt lại tài khoản minh họa và in thông tin đăng nhập (chỉ để thử)."

    def handle(self, *args, **options):
        accounts = demo_users_ensure()
        self.stdout.write("Tài khoản minh họa (đăng nhập tại /dang-nhap/ hoặc /admin/):")
        for username, password, label in accounts:
            self.stdout.write(f"  {username:<12} mật khẩu: {password:<18} {label}")
