"""CSV import of customers (SPEC §5.2), one module per job.

* :mod:`start` — POST /imports: create the import (``pending``) and store the file, or hand out a
  pre-signed PUT for it; S3's "Object Created" event (through EventBridge) starts the job.
* :mod:`status` — GET /imports/{id}: an import as the API shows it.
* :mod:`reading` — bytes → incremental UTF-8 decoding → lines, counting where the next line starts.
* :mod:`rows` — the columns, and a row → a planned customer save (the same plan as POST /customers).
* :mod:`progress` — counters, row errors and the checkpoint each progress save writes.
* :mod:`job` — the job: read, validate and write the rows in batches; checkpoint, hand over, resume.

Import the module you need; this file imports nothing, so a handler loads only what it uses.
"""
