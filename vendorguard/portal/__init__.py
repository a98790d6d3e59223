"""The contractor portal: invitations, the contractor's own requests, uploads and single-request links."""
