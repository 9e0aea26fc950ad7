// Package imports reads the files online shops export — Taobao/Tmall's order and item
// reports, 淘宝助理's product CSV, Shopify's orders, products and customers, WooCommerce's
// products, ERP stock sheets — and Kefu's own templates (stock, customers, reviews), as CSV or
// XLSX, into normalised records the store server applies (server.Import).
//
// A file's format is detected from its header, never from its name: header cells are matched
// trimmed and by aliases, because the platforms rename columns between versions. The encoding
// is detected too: UTF-8 with or without a BOM, UTF-16 with a BOM (淘宝助理), else GB18030 (a
// superset of GBK) — a GBK file is never read as UTF-8 into mojibake. Files are streamed: a
// File reads one row at a time.
//
// Every row that cannot be read is refused with its file, line, column and reason
// (Refusal, printed as FILE:LINE: column: reason); the other rows become Records. Numbers
// Excel turned into floats (3.51531E+16) are refused, never guessed.
//
//	f, err := imports.OpenPath("ExportOrderList2026.csv", imports.DefaultLimits)
//	if err != nil { ... } // unknown format, binary file, .xls …
//	defer f.Close()
//	err = f.Each(func(r imports.Record) error { ...; return nil }, func(r imports.Refusal) { ... })
//
// Kefu writes CSV for people to open in Excel (error files, templates) with NewCSVWriter,
// which neutralises cells that Excel would run as formulas.
package imports
