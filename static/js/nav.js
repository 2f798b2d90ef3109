/* The main menu on narrow screens: one button shows or hides every item.
   Without JavaScript the items simply wrap onto several lines (nothing is hidden). */
(function () {
  "use strict";
  var nav = document.querySelector(".mainnav");
  var button = nav && nav.querySelector(".nav-toggle");
  if (!button) { return; }
  nav.classList.add("nav-collapsible");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
