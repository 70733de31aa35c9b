"""OCR benchmark: the portal's recognition pipeline against the tesseract command line."""
