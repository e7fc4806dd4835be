"""The row the `api-db` benchmark inserts (bench/servers/drf_api.py)."""
from django.db import models


class Person(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField()
    age = models.IntegerField()
    score = models.FloatField()
    birthday = models.DateField()
    active = models.BooleanField()
    role = models.CharField(max_length=10, choices=[(r, r) for r in ("admin", "editor", "viewer")])
    tags = models.JSONField()
    bio = models.CharField(max_length=500, blank=True)
