from django.contrib import admin

from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project


class ExpectedStudentFileInline(admin.TabularInline[ExpectedStudentFile, Project]):
    model = ExpectedStudentFile
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = ("name", "course", "visible_to_students", "closing_time")
    list_filter = ("visible_to_students",)
    search_fields = ("name", "course__name")
    inlines = [ExpectedStudentFileInline]


@admin.register(InstructorFile)
class InstructorFileAdmin(admin.ModelAdmin[InstructorFile]):
    list_display = ("name", "project", "size", "last_modified")
    search_fields = ("name", "project__name")
    readonly_fields = ("size",)
