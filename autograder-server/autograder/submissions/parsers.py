"""The multipart parser of submission uploads: bad file names are a 400 on `files`."""

from autograder.common.uploads import StrictNamesMultiPartParser

UPLOAD_FIELD = "files"


class SubmissionMultiPartParser(StrictNamesMultiPartParser):
    upload_field = UPLOAD_FIELD

    def too_many_files(self, limit: int) -> str:
        return f"A submission may have at most {limit} files."
