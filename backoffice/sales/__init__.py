"""Selling: pricing, orders, invoices and credit notes, payments, deposits and refunds."""
