"""Copies (bản sao, bản sao có xác thực), split by concern: pages (page ranges), fees (schedule and
quotes), orders (submitting and the transitions), payments, production (the PDF job), document and
pdftext (building the PDF), signing and signature_check (PAdES), delivery (downloads, paper,
housekeeping), verification (/xac-thuc), register (sổ cấp bản sao), notify (mails) and labels."""
