{% args req, items %}
<!DOCTYPE html>
<title>Items</title>
<p>Path: <code>{{req.path}}</code></p>
<ul>
{% for item in items %}
<li>{{item}}</li>
{% endfor %}
</ul>
