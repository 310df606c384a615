"""Who a merchant sells to: customers, their custom fields, notes, attachments, import and export."""
