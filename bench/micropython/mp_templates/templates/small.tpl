{% args title, rows %}
<!DOCTYPE html>
<title>{{title}}</title>
<h1>{{title}}</h1>
<table>
{% for name, count in rows %}
<tr><td>{{name}}</td><td>{{count}}</td></tr>
{% endfor %}
</table>
