"""The live preview: the unsaved article form rendered in the real article template, then
everything rolled back."""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse

from articles.models import Article, Correction


class _RollBack(Exception):
    pass


def _form_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else ''}: {e}"
        if name != "__all__"
        else str(e)
        for name, error_list in form.errors.items()
        for e in error_list
    ]


class PreviewMixin:
    def preview_view(self, request, object_id=None):
        if request.method != "POST":
            raise Http404("Preview is made from the article form.")
        obj = None
        if object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404
            if not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        change = obj is not None
        form_class = self.get_form(request, obj, change=change)
        form_class = type(form_class.__name__, (form_class,), {"for_preview": True})
        form = form_class(request.POST, request.FILES, instance=obj)
        errors = []
        response = None
        try:
            with transaction.atomic():
                if form.is_valid():
                    article = form.save(commit=False)
                    article._for_preview = True
                    article.save()
                    form.save_m2m()
                    formsets, _ = self._create_formsets(request, article, change=change)
                    for formset in formsets:
                        if formset.model is Correction:
                            continue
                        if formset.is_valid():
                            formset.save()
                        else:
                            errors.extend(formset.non_form_errors())
                    article = Article.objects.for_detail().get(pk=article.pk)
                    response = TemplateResponse(
                        request,
                        "articles/article_detail.html",
                        {"article": article, "object": article, "unsaved_preview": True},
                    )
                    response.render()
                else:
                    errors = _form_errors(form)
                raise _RollBack
        except _RollBack:
            pass
        if response is None:
            return TemplateResponse(
                request,
                "admin/articles/article/preview_errors.html",
                {**self.admin_site.each_context(request), "errors": errors, "opts": self.opts},
                status=400,
            )
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
