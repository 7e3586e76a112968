using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CouponKit.EfCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxEnvelopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastKey",
                table: "ck_outbox",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ck_outbox_Sequence_Key_LastKey",
                table: "ck_outbox",
                columns: new[] { "Sequence", "Key", "LastKey" },
                filter: "\"LastKey\" IS NOT NULL AND \"Status\" = 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ck_outbox_Sequence_Key_LastKey",
                table: "ck_outbox");

            migrationBuilder.DropColumn(
                name: "LastKey",
                table: "ck_outbox");
        }
    }
}
