from . import main, oauth, queue_job
