{% args req, count %}
<!DOCTYPE html>
<title>Squares</title>
<p>Request path: <code>{{req.path}}</code></p>
<table border="1">
<tr><th>n</th><th>n * n</th></tr>
{% for n in range(count) %}
<tr><td>{{n}}</td><td>{{n * n}}</td></tr>
{% endfor %}
</table>
<p><a href="{{req.prefix}}/">back</a></p>
