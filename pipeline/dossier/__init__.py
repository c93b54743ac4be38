"""The one-stop dossier: catalogue, receipt with reuse first, lifecycle, slip, results."""
