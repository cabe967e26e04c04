{% args name, items %}
<h1>Hello {{name}}</h1>
<ul>
{% for item in items %}
<li>{{item}}</li>
{% endfor %}
</ul>
