{% args d %}
<!DOCTYPE html>
<meta charset="utf-8">
<title>Unicode</title>
<p>Cyrillic letters: {{d["cyrillic"]}}</p>
<p>Greek letters: {{d["alpha"]}} + {{d["beta"]}} = {{d["gamma"]}}</p>
<p>Try a path in any script: <a href="hello/Καλημέρα">hello/Καλημέρα</a></p>
