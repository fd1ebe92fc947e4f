"""Infrastructure every domain uses: settings, the database and its transactions, errors,
time and translation."""
