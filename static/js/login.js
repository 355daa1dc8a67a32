// Sign-in page: a shared phone forgets the previous user's cached scan page.
if (window.caches) caches.delete("shopfloor-pages-v1");
