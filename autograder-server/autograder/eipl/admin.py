from django.contrib import admin

from autograder.eipl.models import EiplAttempt, EiplQuestion, EiplUsage

admin.site.register(EiplQuestion)
admin.site.register(EiplAttempt)
admin.site.register(EiplUsage)
