"""Reading the inputs: finding them (local or on the Hub), parsing each file, checking each record."""
