"""The caller panel (IN-8): who is calling, their member card and open complaints."""
