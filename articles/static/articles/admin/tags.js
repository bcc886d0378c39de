/* Tag field: the admin's own Select2, searching existing tags and accepting new ones. */
'use strict';
{
  const $ = django.jQuery;
  function init(element) {
    if (element.dataset.tagsReady) return;
    element.dataset.tagsReady = '1';
    $(element).select2({
      tags: true,
      tokenSeparators: [','],
      width: '36em',
      placeholder: element.dataset.placeholder,
      ajax: {
        url: element.dataset.autocompleteUrl,
        dataType: 'json',
        delay: 200,
        data: (params) => ({ term: params.term, page: params.page }),
      },
      createTag: (params) => {
        const term = $.trim(params.term);
        return term ? { id: term, text: term, newTag: true } : null;
      },
      templateResult: (item) => (item.newTag ? 'New tag: ' + item.text : item.text),
    });
  }
  $(function () { document.querySelectorAll('select.tag-autocomplete').forEach(init); });
}
