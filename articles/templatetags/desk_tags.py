from django import template

from articles.desk.dashboard import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_dashboard(context):
    """The dashboard's lists for the signed-in person, or [] for staff who see no articles."""
    user = context["request"].user
    if not user.has_perm("articles.view_article"):
        return []
    return panels(user)
