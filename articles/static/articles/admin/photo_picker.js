/* The lead and social image boxes: the admin's autocomplete, each choice drawn with the photo's
   thumbnail beside its caption and credit (articles/admin/photo_picker.py). */
"use strict";
{
  const $ = django.jQuery;

  function drawChoice(item) {
    if (!item.id) { return item.text; }
    const thumbnail = item.thumbnail || (item.element && item.element.dataset.thumbnail) || "";
    const row = $('<span class="nr-photo-choice"></span>');
    if (thumbnail) {
      row.append($('<img class="nr-thumb" alt="" width="48" height="32">').attr("src", thumbnail));
    } else {
      row.append('<span class="nr-thumb nr-thumb--empty" aria-hidden="true"></span>');
    }
    return row.append($("<span></span>").text(item.text));
  }

  $(function () {
    $(".nr-photo-autocomplete").not("[name*=__prefix__]").each(function (index, element) {
      $(element).select2({
        ajax: {
          data: (params) => ({
            term: params.term,
            page: params.page,
            app_label: element.dataset.appLabel,
            model_name: element.dataset.modelName,
            field_name: element.dataset.fieldName,
          }),
        },
        templateResult: drawChoice,
        templateSelection: drawChoice,
      });
    });
  });
}
