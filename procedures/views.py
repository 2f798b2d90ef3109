from django.shortcuts import render

from .models import Procedure


def procedure_list(request):
    # Placeholder replaced by the catalogue pages.
    return render(request, "procedures/list.html", {"procedures": Procedure.objects.all()[:20]})
