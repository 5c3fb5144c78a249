// Sorts the library table in place when a column heading is clicked (the
// links sort on the server without JavaScript), and keeps the address.
(function () {
  var table = document.getElementById("library-table");
  if (!table) return;
  var heads = table.tHead.rows[0].cells;
  for (var i = 0; i < heads.length; i++) {
    heads[i].addEventListener("click", sorter(i));
  }
  function sorter(column) {
    return function (event) {
      var head = heads[column];
      var descending = head.getAttribute("aria-sort") === "ascending";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-value");
        var y = b.cells[column].getAttribute("data-value");
        if (x === y) return 0;
        if (x === "") return 1;
        if (y === "") return -1;
        var order = isNaN(x) || isNaN(y) ? (x < y ? -1 : 1) : x - y;
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      for (var k = 0; k < heads.length; k++) heads[k].removeAttribute("aria-sort");
      head.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var link = head.querySelector("a");
      if (window.history && link) history.replaceState(null, "", link.href.replace(/dir=\w+/, "dir=" + (descending ? "desc" : "asc")));
      event.preventDefault();
    };
  }
})();
