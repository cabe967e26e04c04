{% args req, error %}
<!DOCTYPE html>
<meta charset="utf-8">
<title>Sign in</title>
<h1>Sign in</h1>
{% if error %}
<p id="error">{{error}}</p>
{% endif %}
<form method="post" action="login">
<input type="hidden" name="csrf_token" value="{{req.csrf_token()}}">
<p><label>User <input name="username" id="username" autocomplete="username"></label></p>
<p><label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label></p>
<p><button type="submit" id="submit">Sign in</button></p>
</form>
