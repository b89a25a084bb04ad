"""Component trees. Layouts build what is shown from data they are given; they fetch nothing."""
