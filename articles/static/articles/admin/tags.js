/* Tag field: the admin's own Select2, searching existing tags and accepting new ones on
   purpose. */
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
      // Existing tags that match come first, so Enter takes "Budget" for "Budg"; making a new
      // tag is a deliberate choice at the end of the list, offered only when none has that name.
      insertTag: (results, tag) => {
        const same = results.some((item) => item.text.toLowerCase() === tag.text.toLowerCase());
        if (!same) results.push(tag);
      },
      templateResult: (item) => (item.newTag ? 'New tag: ' + item.text : item.text),
    });
  }
  $(function () { document.querySelectorAll('select.tag-autocomplete').forEach(init); });
}
