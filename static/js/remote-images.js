// "Load image" shows an image from another site in place, at the reader's request. Without
// this script the same link opens the image on its own.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.remote-image-load");
  if (!link) {
    return;
  }
  event.preventDefault();
  const image = document.createElement("img");
  image.src = link.href;
  image.alt = link.dataset.alt || "";
  image.referrerPolicy = "no-referrer";
  link.closest(".remote-image").replaceWith(image);
});
